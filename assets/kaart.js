/* SPDX-License-Identifier: EUPL-1.2 */
/* The map panel's browser side (components/mapview.py), for every map on every page.

   fitMap: fits the map to its areas at the graph's real size. Plotly's "fitbounds" does not
   work for a map trace whose geometry is a URL, and the server cannot know the screen size,
   so the server sends a phone-sized view and this refits it once per geometry (not after a
   value-only Patch, so the user's pan and zoom stay). Same projection as
   data/shaping.py:center_zoom (Web Mercator, 512-pixel world at zoom 0).

   renderLegend, renderTable: the legend and the table alternative, written from the figure
   itself: the trace holds the names (text), figures and ranks (customdata) and the classes
   (z), layout.meta the legend entries, caption, headers and profile link. So a value-only
   Patch updates both too, and the server never sends their HTML.

   openArea: a click on an area opens its profile (in an embed: in a new tab). */
(function () {
  "use strict";

  function domId(id) {
    if (typeof id === "string") { return id; }
    // Dash's own serialisation of a dict id: keys sorted, values as JSON.
    return "{" + Object.keys(id).sort().map(function (k) {
      return JSON.stringify(k) + ":" + JSON.stringify(id[k]);
    }).join(",") + "}";
  }

  function navigate(href) {
    // What dcc.Link does: an in-app navigation that the pages router follows.
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  function el(type, props, namespace) {
    return {type: type, namespace: namespace || "dash_html_components", props: props || {}};
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    buurtlens: Object.assign({}, (window.dash_clientside || {}).buurtlens, {
      fitMap: function (state, graphId) {
        var noUpdate = window.dash_clientside.no_update;
        if (!state || !state.bbox || !state.geometry) {
          return noUpdate;
        }
        var west = state.bbox[0], south = state.bbox[1], east = state.bbox[2], north = state.bbox[3];
        var mercY = function (lat) {
          var clamped = Math.max(Math.min(lat, 85), -85) * Math.PI / 180;
          return Math.log(Math.tan(Math.PI / 4 + clamped / 2));
        };
        var fit = function (tries) {
          var container = document.getElementById(domId(graphId));
          var gd = container && container.querySelector(".js-plotly-plot");
          var ready = gd && gd._fullLayout && gd._fullLayout.map && window.Plotly &&
            gd.layout && gd.layout.uirevision === state.geometry;
          if (!ready) {
            if (tries > 0) {
              window.setTimeout(function () { fit(tries - 1); }, 100);
            }
            return;
          }
          if (gd.getAttribute("data-fitted") === state.geometry) {
            return;
          }
          var width = Math.max(gd.clientWidth - 24, 100);
          var height = Math.max(gd.clientHeight - 24, 100);
          var lonSpan = Math.max(east - west, 1e-6);
          var ySpan = Math.max(mercY(north) - mercY(south), 1e-9);
          var zoomX = Math.log2(width * 360 / (512 * lonSpan));
          var zoomY = Math.log2(height * 2 * Math.PI / (512 * ySpan));
          var zoom = Math.max(0, Math.min(zoomX, zoomY, 18));
          var midY = (mercY(north) + mercY(south)) / 2;
          var lat = (2 * Math.atan(Math.exp(midY)) - Math.PI / 2) * 180 / Math.PI;
          var center = {lon: (west + east) / 2, lat: lat};
          gd.setAttribute("data-fitted", state.geometry);
          window.Plotly.relayout(gd, {"map.center": center, "map.zoom": zoom});
          // After a page navigation the map can be rebuilt right after this relayout and come
          // up with the server's view while the layout already says "fitted"; Plotly skips an
          // unchanged relayout, hence the tiny nudge. Only if the user has not moved the map.
          window.setTimeout(function () {
            var sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
            var shown = sub && sub.map && sub.map.getZoom ? sub.map.getZoom() : zoom;
            var untouched = gd.layout.uirevision === state.geometry && gd.layout.map.zoom === zoom;
            if (untouched && Math.abs(shown - zoom) > 0.01) {
              window.Plotly.relayout(gd, {"map.center": center, "map.zoom": zoom + 1e-6});
            }
          }, 600);
        };
        fit(50);
        return noUpdate;
      },

      renderLegend: function (figure) {
        var legend = figure && figure.layout && figure.layout.meta && figure.layout.meta.legend;
        if (!legend || !legend.entries || !legend.entries.length) {
          return null;
        }
        return el("Div", {className: "legend", children: [
          el("P", {className: "legend-title", children: legend.title}),
          el("Ul", {className: "legend-items", children: legend.entries.map(function (e, i) {
            return el("Li", {key: String(i), children: [
              // The swatch is decoration: the bounds are written next to it.
              el("Span", {className: "legend-swatch", style: {backgroundColor: e[0]},
                          "aria-hidden": "true"}),
              el("Span", {className: "legend-label", children: e[1]}),
              el("Span", {className: "legend-count", title: legend.count,
                          children: "(" + e[2] + ")"})
            ]});
          })}),
          legend.note ? el("P", {className: "legend-note", children: legend.note}) : null
        ]});
      },

      renderTable: function (figure) {
        if (!figure || !figure.data || !figure.data.length) {
          return null;
        }
        var trace = figure.data[0];
        var meta = (figure.layout && figure.layout.meta) || {};
        var headers = meta.headers || ["Gebied", "Waarde", "Rang", "Toelichting"];
        var codes = trace.locations || [];
        var names = trace.text || [];
        var custom = trace.customdata || [];
        var z = trace.z || [];
        var rows = codes.map(function (code, i) {
          var name = names[i] || code;
          var cells = custom[i] || ["", ""];
          var hasFigure = z[i] !== -1;
          var href = meta.href ? meta.href.replace("{code}", encodeURIComponent(code)) : null;
          var link = !href ? name : meta.newtab ?
            el("A", {children: name, href: href, target: "_blank", rel: "noopener"}) :
            el("Link", {children: name, href: href}, "dash_core_components");
          return el("Tr", {key: code, children: [
            el("Th", {scope: "row", children: link}),
            el("Td", {className: "num", children: hasFigure ? cells[0] : "–"}),
            el("Td", {className: "num", children: hasFigure ? cells[1] : "–"}),
            el("Td", {children: hasFigure ? "" : cells[0]})
          ]});
        });
        return el("Table", {className: "values-table", children: [
          el("Caption", {children: meta.caption || ""}),
          el("Thead", {children: el("Tr", {children: headers.map(function (h, i) {
            return el("Th", {scope: "col", className: (i === 1 || i === 2) ? "num" : undefined,
                             children: h});
          })})}),
          el("Tbody", {children: rows})
        ]});
      },

      openArea: function (clickData, figure) {
        var noUpdate = window.dash_clientside.no_update;
        var point = clickData && clickData.points && clickData.points[0];
        var meta = figure && figure.layout && figure.layout.meta;
        if (!point || !point.location || !meta || !meta.href) {
          return noUpdate;
        }
        var href = meta.href.replace("{code}", encodeURIComponent(point.location));
        if (meta.newtab) {
          window.open(href, "_blank", "noopener");
        } else {
          navigate(href);
        }
        return point.location;
      }
    })
  });
})();
