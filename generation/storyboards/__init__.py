"""Storyboards written together: drafts with versioned shots, shared by handle, edited live."""
