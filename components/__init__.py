# SPDX-License-Identifier: EUPL-1.2
"""Reusable layout pieces (map, legend, table alternative) with their Flask routes.

Components build Dash and Plotly objects from what :mod:`data` returns; they hold no data
access of their own beyond calling :mod:`data.queries`.
"""
