"""One router per resource: documents, analyse (and jobs), stats, exports, and the web pages."""
