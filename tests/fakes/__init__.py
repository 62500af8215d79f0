# SPDX-License-Identifier: EUPL-1.2
"""Test doubles that speak the real protocols: a local HTTP server for CBS and PDOK."""
