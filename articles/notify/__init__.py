"""Word when the list changes: email subscriptions, the outbox that delivers them, and signed webhooks.

- ``models``: subscribers, outbox messages, the changes already announced,
  webhook endpoints and their delivery log;
- ``announce``: called at the end of every write of a vendor's facts
  (``services.changes``), in its transaction: the vendor's changes not yet
  announced become outbox messages and webhook deliveries;
- ``subscriptions``: subscribe (double opt-in), confirm, unsubscribe;
- ``mails``: the text of every mail, and the signed links in them;
- ``outbox``: the worker's side: claim what is due, send it, retry with backoff;
- ``webhooks``: the JSON body, its signature, and a POST that reaches only public addresses;
- ``views``: the subscribe form's answer, the confirmation and unsubscribe links.
"""
