"""accounts: users and their audit log, the bottom app every other one may use."""
