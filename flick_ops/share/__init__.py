"""Azure Data Share invitations as code: spec, policy, plan, apply and the invitation ledger."""
