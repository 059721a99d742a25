async () => {
    const {sseParser} = await import('/static/qa-sse.js');
    const {splitMarkers, stripMarkers, snippetNodes, markSpan, markSpans, byArticle, labelOf} = await import('/static/qa-dom.js');
    const {questionsOf} = await import('/static/qa-suggest.js');
    const stream = 'event: meta\r\ndata: {"question_used":"q"}\r\n\r\n: ping\r\n\r\n'
        + 'event: delta\ndata: {"text":"通州[1]"}\n\nevent: done\ndata: {"a":\ndata: 1}\n\n';
    const cuts = [];  // the same events whichever byte the network splits the stream at
    for (let i = 0; i <= stream.length; i++) {
        const feed = sseParser();
        cuts.push(JSON.stringify([...feed(stream.slice(0, i)), ...feed(stream.slice(i), true)]));
    }
    const html = (nodes) => nodes.map((n) => typeof n === 'string' ? n : n.outerHTML).join('');
    return {
        sse: [...new Set(cuts)],
        split: JSON.stringify(splitMarkers('通州[1]和昌平[2]。')),
        strip: stripMarkers('未找到 [1]。[12]'),
        snippet: html(snippetNodes('甲。乙。丙。', '乙。', 1)),
        astral: html(markSpan(Array.from('😀工会。'), 0, 4, 1, 3)),
        spans: html(markSpans(Array.from('甲乙丙丁戊'), 0, 5, [[3, 4], [0, 1], [0, 2]])),
        groups: JSON.stringify(byArticle([{n: 1, article_id: 'a'}, {n: 2, article_id: 'b'}, {n: 3, article_id: 'a'}])
            .map((g) => g.map((c) => c.n))),
        labels: [labelOf({label: '人民网 · 《甲》', title: '甲'}), labelOf({title: '乙'}), labelOf({})],
        questions: questionsOf({questions: [{question: '甲？'}, ' 乙？ ', {}, {question: ''}]}),
    };
}
