"""What the Office publishes of a round: a snapshot of its final report for the public results pages.

`snapshot` (pure) cuts a stored report down to what the public may see; `services` publish, publish again and
withdraw (with an audit trail); `selectors` read what the pages need in a fixed number of queries; `page` (pure)
turns a snapshot into the rows of the public page in the reader's language. The snapshot's keys are documented in
docs/report-data.md ("The public snapshot").
"""
