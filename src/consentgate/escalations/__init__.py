"""Child-safety reports: a CyberTipline report for NCMEC and a report for the UK NCA, exported
from an escalated case, and the reference each agency returns, kept on the case."""
