"""Builds the case system over one store: the service, its hooks and its observers.

One place, used by the HTTP service and the CLI alike, so that a decision made
from either queues the same actions, keeps the same items down, writes the same
statement of reasons and the same audit events.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.cases.actions import action_hook
from consentgate.cases.automated import AutomatedCases
from consentgate.cases.clock import Clock, system_clock
from consentgate.cases.evidence import EvidenceVault
from consentgate.cases.service import CaseService
from consentgate.cases.statements.build import StatementConfig
from consentgate.cases.statements.writer import StatementWriter
from consentgate.settings import Settings
from consentgate.store.database import Database


@dataclass(frozen=True)
class CaseSystem:
    cases: CaseService
    automated: AutomatedCases  # also the bank service's observer
    statements: StatementWriter  # also writes the statements of blocked uploads

    @property
    def vault(self) -> EvidenceVault | None:
        return self.automated.vault


def build_cases(db: Database, settings: Settings, *, clock: Clock = system_clock) -> CaseSystem:
    """The case service with its statement and action hooks, automated cases and evidence
    vault. Raises ConfigError for bad statement settings (``CONSENTGATE_SOR_*``)."""
    cases = CaseService(db, settings, clock=clock)
    automated = AutomatedCases(cases, EvidenceVault.from_settings(db, cases, settings))
    statements = StatementWriter(StatementConfig.from_settings(settings))
    cases.hooks.append(statements.hook())  # a removal and its statement commit together
    cases.hooks.append(action_hook(settings, observer=automated))
    return CaseSystem(cases, automated, statements)
