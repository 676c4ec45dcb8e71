"""One blueprint per audience: reader, translate, review, auth, api."""
