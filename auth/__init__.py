"""Who is calling: the viewer, sign-in and sessions."""
