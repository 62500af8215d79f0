/* SPDX-License-Identifier: EUPL-1.2 */
/* Fits the map to its areas at the graph's real size. Plotly's "fitbounds" does not work for
   a map trace whose geometry is a URL, and the server cannot know the screen size, so the
   server sends a phone-sized view and this refits it once per geometry (not after a
   value-only Patch, so the user's pan and zoom stay). Same projection as
   data/shaping.py:center_zoom (Web Mercator, 512-pixel world at zoom 0). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  buurtlens: {
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
        var container = document.getElementById(graphId);
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
    }
  }
});
