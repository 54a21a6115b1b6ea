"""The European Commission's CSV templates for transparency reports (Implementing Regulation
(EU) 2024/2835, Annex I), parts 1 and 4 to 8, as published: header rows and row layout are
copied byte for byte, so an export starts with exactly the published header. Parts 2 (category
names), 3 (Member State orders), 9 to 11 (very large platforms, qualitative text) hold nothing
ConsentGate records."""
