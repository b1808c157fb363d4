"""Accounts: login, logout, password change and reset, profile."""
