(selectors) => {
    const root = document.querySelector('ghnews-qa').shadowRoot;
    const rgba = (c) => { const m = c.match(/[\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m[3] ?? 1}; };
    const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                                 return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const background = (el) => {  // nearest opaque background, crossing out of the shadow root
        for (let e = el; e; e = e.parentElement || e.getRootNode().host) {
            const c = rgba(getComputedStyle(e).backgroundColor);
            if (c.a > 0.5) return c;
        }
        return {r: 255, g: 255, b: 255, a: 1};
    };
    return Object.fromEntries(selectors.map((sel) => {
        const el = root.querySelector(sel);
        if (!el) return [sel, null];
        const [hi, lo] = [lum(rgba(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
        return [sel, (hi + 0.05) / (lo + 0.05)];
    }));
}
