// Follows Cockpit's light/dark choice as its own pages do: Cockpit 287 bundles
// this logic into each page (pkg/lib/cockpit-dark-theme.js) and ships no copy of it
// to load, so these few lines say it again. The choice ("auto", "light" or "dark")
// is in localStorage "shell:style"; the shell announces a change to its frames with
// a "cockpit-style" event, other windows see a storage event, and "auto" follows
// the system. PatternFly's dark variables apply under html.pf-theme-dark.
"use strict";

(function () {
    const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

    function apply(style) {
        const chosen = style || window.localStorage.getItem("shell:style") || "auto";
        const dark = chosen === "dark" || (chosen === "auto" && systemDark.matches);
        document.documentElement.classList.toggle("pf-theme-dark", dark);
    }

    window.addEventListener("storage", event => {
        if (event.key === "shell:style")
            apply();
    });
    window.addEventListener("cockpit-style", event => apply(event.detail && event.detail.style));
    systemDark.addEventListener("change", () => apply());
    apply();
}());
