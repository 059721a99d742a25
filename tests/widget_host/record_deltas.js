(() => {
    const root = document.querySelector('ghnews-qa').shadowRoot;
    window.__testDeltas = [];
    // a streamed piece is a Text node appended straight into .answer; the final render is a <p>
    new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes)
            if (n.nodeType === Node.TEXT_NODE && r.target.classList.contains('answer')) window.__testDeltas.push(n.data);
    }).observe(root.querySelector('.log'), {childList: true, subtree: true});
})()
