"""Company identity: OIDC single sign-on for staff and SCIM 2.0 provisioning."""
