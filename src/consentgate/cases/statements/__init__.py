"""Statements of reasons (DSA Art. 17) in the EU Transparency Database's own vocabulary."""
