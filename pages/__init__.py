# SPDX-License-Identifier: EUPL-1.2
"""One module per page: ``dash.register_page(...)``, ``layout(**query)`` and thin callbacks.

Nothing here reads data at import time; every page is a function of its URL.
"""
