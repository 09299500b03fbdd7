/*
 * Dashboard maps: Leaflet draws the provinces from the committed GeoJSON
 * (phaen/dashboards/static/dashboards/geo/th_adm1.geojson) with no tile layer, since the
 * server reaches no tile server: the boundaries are the map.
 *
 * <div data-map="map-data"> reads the JSON data island #map-data:
 *   {boundaries: URL, focus: province code | null, pilots: [codes], places: [{province,
 *    province_name, province_url, pilot, agreements, zones, centres, lat, lon}], labels: {...}}
 * and, on the national dashboard, the choropleth island #choropleth-data (inside the panel htmx
 * swaps when the reader picks another indicator or year):
 *   {values: {code: {value, text, class}}, palette: [colours], noDataColour}
 * Provinces with no approved value are hatched grey, as the legend says. Pilot provinces get a
 * thick outline. Markers for MoUs, smart city zones and community centres sit at province
 * centroids (computed by the server from the same file).
 *
 * No inline script or style and no HTML strings built from data: popups and tooltips are DOM
 * nodes filled with textContent.
 */
(function () {
  "use strict";

  var PILOT_COLOUR = "#b7791f";
  var BORDER_COLOUR = "#556070";
  var MARKERS = {
    agreements: { colour: "#b42318", dlat: 0.09, dlon: -0.14 },
    zones: { colour: "#7a3e9d", dlat: 0.09, dlon: 0.14 },
    centres: { colour: "#0e6b63", dlat: -0.12, dlon: 0 }
  };
  var HATCH_ID = "dashboard-no-data-hatch";

  var state = { map: null, layer: null, data: null, choropleth: null, byCode: {} };

  function readIsland(id) {
    var island = id && document.getElementById(id);
    if (!island) {
      return null;
    }
    try {
      return JSON.parse(island.textContent);
    } catch (error) {
      return null;
    }
  }

  function codeOf(feature) {
    return String(feature.properties.ADM1_PCODE || "").replace(/^TH/, "");
  }

  function label(name) {
    return (state.data.labels && state.data.labels[name]) || name;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  /* An SVG pattern for "no data", added to the map's SVG so fills can name it. */
  function addHatch() {
    var svg = state.map.getPanes().overlayPane.querySelector("svg");
    if (!svg || svg.querySelector("#" + HATCH_ID)) {
      return;
    }
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", HATCH_ID);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "6");
    pattern.setAttribute("height", "6");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", "6");
    background.setAttribute("height", "6");
    background.setAttribute("fill", state.choropleth ? state.choropleth.noDataColour : "#d9d9d9");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "6");
    line.setAttribute("stroke", "#8a94a3");
    line.setAttribute("stroke-width", "2");
    pattern.appendChild(background);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function valueOf(code) {
    var values = state.choropleth && state.choropleth.values;
    return values ? values[code] : null;
  }

  function isPilot(code) {
    return (state.data.pilots || []).indexOf(code) !== -1;
  }

  function style(feature) {
    var code = codeOf(feature);
    var focus = state.data.focus;
    var pilot = isPilot(code);
    var fill;
    if (focus) {
      fill = code === focus ? "#3182bd" : "#eef2f7";
    } else if (state.choropleth) {
      var entry = valueOf(code);
      fill =
        entry && entry["class"] !== null && entry["class"] !== undefined
          ? state.choropleth.palette[entry["class"]]
          : "url(#" + HATCH_ID + ")";
    } else {
      fill = "#eef2f7";
    }
    return {
      className: "map-province",
      color: pilot ? PILOT_COLOUR : BORDER_COLOUR,
      weight: pilot ? 3 : 0.6,
      opacity: 1,
      fillColor: fill,
      fillOpacity: focus && code !== focus ? 0.6 : 0.9
    };
  }

  function provinceName(feature) {
    var lang = document.documentElement.getAttribute("lang") || "th";
    var props = feature.properties;
    return lang.indexOf("th") === 0 ? props.ADM1_TH || props.ADM1_EN : props.ADM1_EN || props.ADM1_TH;
  }

  function tooltipFor(feature) {
    var code = codeOf(feature);
    var node = element("div", null, "map-tooltip");
    node.appendChild(element("strong", provinceName(feature)));
    if (state.choropleth && !state.data.focus) {
      var entry = valueOf(code);
      node.appendChild(element("div", entry ? entry.text : label("noData")));
    }
    if (isPilot(code)) {
      node.appendChild(element("div", label("pilot")));
    }
    return node;
  }

  function popupFor(feature) {
    var code = codeOf(feature);
    var node = tooltipFor(feature);
    var url = (state.data.provinceUrl || "").replace("__code__", code);
    if (url && !state.data.focus) {
      var link = element("a", label("openProvince"));
      link.href = url;
      node.appendChild(link);
    }
    return node;
  }

  function restyle() {
    if (state.layer) {
      state.layer.setStyle(style);
      state.layer.eachLayer(function (layer) {
        layer.setTooltipContent(tooltipFor(layer.feature));
        if (layer.getPopup()) {
          layer.setPopupContent(popupFor(layer.feature));
        }
      });
    }
  }

  function placePopup(place, kind) {
    var node = element("div", null, "map-tooltip");
    node.appendChild(element("strong", place.province_name));
    node.appendChild(element("div", label(kind) + ": " + place[kind]));
    if (place.province_url) {
      var link = element("a", label("openProvince"));
      link.href = place.province_url;
      node.appendChild(link);
    }
    return node;
  }

  function addMarkers() {
    var groups = {};
    Object.keys(MARKERS).forEach(function (kind) {
      groups[kind] = window.L.layerGroup();
    });
    (state.data.places || []).forEach(function (place) {
      if (place.lat === null || place.lon === null) {
        return;
      }
      Object.keys(MARKERS).forEach(function (kind) {
        var count = place[kind];
        if (!count) {
          return;
        }
        var marker = MARKERS[kind];
        var circle = window.L.circleMarker([place.lat + marker.dlat, place.lon + marker.dlon], {
          className: "map-marker map-marker--" + kind,
          radius: Math.min(5 + Math.sqrt(count) * 2, 16),
          color: "#ffffff",
          weight: 1.5,
          fillColor: marker.colour,
          fillOpacity: 0.95
        });
        circle.bindTooltip(placePopup(place, kind));
        circle.bindPopup(placePopup(place, kind));
        circle.addTo(groups[kind]);
      });
    });
    var overlays = {};
    Object.keys(groups).forEach(function (kind) {
      groups[kind].addTo(state.map);
      overlays[label(kind)] = groups[kind];
    });
    window.L.control.layers(null, overlays, { collapsed: false }).addTo(state.map);
  }

  function draw(geo) {
    var map = state.map;
    state.layer = window.L.geoJSON(geo, {
      style: style,
      onEachFeature: function (feature, layer) {
        state.byCode[codeOf(feature)] = layer;
        layer.bindTooltip(tooltipFor(feature), { sticky: true });
        layer.bindPopup(popupFor(feature));
      }
    });
    // Set the view first: Leaflet adds layers (and creates its SVG) only once the map has one.
    var focus = state.data.focus && state.byCode[state.data.focus];
    map.fitBounds((focus || state.layer).getBounds(), { padding: focus ? [32, 32] : [8, 8] });
    state.layer.addTo(map);
    addHatch();
    restyle();
    addMarkers();
  }

  function escapeText(text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node.innerHTML;
  }

  function init() {
    var container = document.querySelector("[data-map]");
    if (!container || !window.L) {
      return;
    }
    state.data = readIsland(container.getAttribute("data-map"));
    if (!state.data) {
      return;
    }
    state.choropleth = readIsland("choropleth-data");
    container.classList.add("dashboard-map--drawn");
    state.map = window.L.map(container, {
      zoomSnap: 0.25,
      scrollWheelZoom: false,
      attributionControl: true
    });
    state.map.attributionControl.setPrefix(false);
    state.map.attributionControl.addAttribution(escapeText(label("attribution")));
    window
      .fetch(state.data.boundaries, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(draw)
      .catch(function () {
        container.classList.add("dashboard-map--failed");
        container.textContent = label("failed");
      });
  }

  /* The choropleth panel was swapped (another indicator or year): colour the map again. */
  document.addEventListener("htmx:afterSettle", function () {
    if (state.map) {
      state.choropleth = readIsland("choropleth-data");
      restyle();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
