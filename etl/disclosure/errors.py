# SPDX-License-Identifier: EUPL-1.2
"""Errors of the disclosure step. All are :class:`etl.model.EtlError`: the run fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.model import EtlError
from etl.settings import ConfigError

if TYPE_CHECKING:
    from etl.disclosure.report import AuditReport


class DisclosureError(EtlError):
    """Protection cannot be guaranteed; nothing may be published.

    Raised when the audit finds a hidden cell that the published figures pin down more
    narrowly than its rule allows (``report`` holds the full audit with the failing cells),
    and, as :class:`DisclosureInputError`, when the input cannot be protected at all.
    """

    def __init__(self, message: str, report: AuditReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class DisclosureInputError(DisclosureError):
    """An observation cannot be protected (e.g. a negative or fractional count); names the row."""


class DisclosureRulesError(ConfigError):
    """The disclosure rules file (or the catalogue) is wrong; the message names file and key."""
