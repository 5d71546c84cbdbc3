"""Single sign-on with Feide and ID-porten (OpenID Connect, Authlib's Flask client)."""
