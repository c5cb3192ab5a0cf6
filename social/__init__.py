"""The social graph: connections, follows, communities, posts, feed (the social-graph issue)."""
