"""Moderation: reports about content and accounts, the actions moderators take, suspensions."""
