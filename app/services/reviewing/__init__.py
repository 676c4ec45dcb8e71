"""The editor's side: the workflow state of each note (:mod:`.workflow`) and the review screens (:mod:`.screens`)."""
