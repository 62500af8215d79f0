/* SPDX-License-Identifier: EUPL-1.2 */
/* Share and download buttons under every chart (components/share.py). Both work in the
   browser alone: the clipboard API and Plotly's image export need no server and no network. */
(function () {
  "use strict";

  function domId(id) {
    if (typeof id === "string") { return id; }
    return "{" + Object.keys(id).sort().map(function (k) {
      return JSON.stringify(k) + ":" + JSON.stringify(id[k]);
    }).join(",") + "}";
  }

  function toolsOf(triggered) {
    var button = triggered && document.getElementById(domId(triggered));
    return button ? button.closest(".share-tools") : null;
  }

  function statusId(triggered) {
    return {type: "bl-share-status", chart: triggered.chart};
  }

  function escape(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // A map saved as an image keeps its title, legend and source: the figure is exported with
  // them added (the chart on screen is not touched). Other charts are exported as they are.
  function withCaption(gd, width, height) {
    var meta = gd.layout && gd.layout.meta;
    var legend = meta && meta.legend;
    if (!legend || !legend.entries) {
      return {figure: gd, height: height};
    }
    var items = legend.entries.map(function (e) {
      return "<span style='color:" + e[0] + "'>\u25A0</span> " + escape(e[1]) + " (" + e[2] + ")";
    });
    var perLine = Math.max(1, Math.floor(width / 260));
    var lines = [];
    for (var i = 0; i < items.length; i += perLine) {
      lines.push(items.slice(i, i + perLine).join("    "));
    }
    var panel = gd.closest(".map-wrap") && gd.closest(".map-wrap").parentElement;
    var source = panel && panel.querySelector(".source");
    var bottom = 24 + 20 * (lines.length + 2);
    var layout = Object.assign({}, gd.layout, {
      title: {text: "<b>" + escape(meta.caption || "") + "</b>", x: 0.01, xanchor: "left",
              font: {size: 16}},
      margin: {l: 10, r: 10, t: 50, b: bottom},
      annotations: [{
        xref: "paper", yref: "paper", x: 0, y: 0, yshift: -bottom + 8, xanchor: "left",
        yanchor: "bottom", align: "left", showarrow: false, font: {size: 12},
        text: "<b>" + escape(legend.title) + "</b><br>" + lines.join("<br>") +
              (source ? "<br><span style='color:#4a4a4a'>" +
                        escape(source.textContent.slice(0, 160)) + "</span>" : "")
      }]
    });
    return {figure: {data: gd.data, layout: layout}, height: height + 50 + bottom};
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    buurtlens: Object.assign({}, (window.dash_clientside || {}).buurtlens, {
      share: function (nClicks) {
        var dc = window.dash_clientside;
        var triggered = dc.callback_context && dc.callback_context.triggered_id;
        var tools = toolsOf(triggered);
        var url = window.location.href;
        if (!nClicks || !tools) {
          return [dc.no_update, dc.no_update, dc.no_update];
        }
        var copied = tools.dataset.copied, failed = tools.dataset.copyFailed;
        // The status is cleared first, so that the same message is announced again.
        var say = function (text) {
          dc.set_props(statusId(triggered), {children: ""});
          window.setTimeout(function () { dc.set_props(statusId(triggered), {children: text}); }, 50);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(function () { say(copied); },
                                                  function () { say(failed); });
        } else {
          window.setTimeout(function () { say(failed); }, 0);
        }
        return [dc.no_update, url, false];
      },

      download: function () {
        var dc = window.dash_clientside;
        var triggered = dc.callback_context && dc.callback_context.triggered_id;
        var tools = toolsOf(triggered);
        if (!tools || !window.Plotly) {
          return dc.no_update;
        }
        var container = document.getElementById(tools.dataset.graph);
        var gd = container && (container.classList.contains("js-plotly-plot") ? container :
                               container.querySelector(".js-plotly-plot"));
        if (!gd) {
          return dc.no_update;
        }
        var width = gd.clientWidth || 800;
        var height = gd.clientHeight || 600;
        var exported = withCaption(gd, width, height);
        window.Plotly.downloadImage(exported.figure, {
          format: triggered.action === "svg" ? "svg" : "png",
          filename: tools.dataset.filename || "buurtlens",
          width: width,
          height: exported.height,
          scale: triggered.action === "svg" ? 1 : 2
        });
        return tools.dataset.downloading;
      }
    })
  });
})();
