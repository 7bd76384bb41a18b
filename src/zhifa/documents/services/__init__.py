"""Document services: every state change is one transaction with its ledger entry."""
