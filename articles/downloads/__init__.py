"""What IT departments download: range files, contact card, Gmail filter and gateway snippets."""
