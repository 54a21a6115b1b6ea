"""The tamper-evident audit log: one hash chain over every case event and bank change."""
