"""The Rapid Review Report and the documents made from it: building, Markdown, Word, HTML, reading an edited copy
back, the Panel pack, the briefing, document kinds and signed links."""
