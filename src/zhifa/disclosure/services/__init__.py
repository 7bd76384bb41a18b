"""Services of publicity: every change to a publication, a policy or an annual report, each
in one transaction with its ledger entry. Keyword-only arguments; ``actor`` first."""
