"""Webhook flows, split by concern: :mod:`.emitting` (the outbox), :mod:`.delivering`
(leases, sending, recording outcomes), :mod:`.subscriptions` (creating and disabling).

Nothing is lost: every delivery is a row written in the transaction of the change that
causes it. After commit one Celery task per event sends its deliveries; if that task
never runs (broker down, worker killed, crash before enqueue), the beat-scheduled
sweeper finds the rows still due and sends them.
"""
