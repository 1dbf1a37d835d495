"""The portal's own flows (accounts, invites, two-factor authentication, sessions); the pages
for keys, repositories and webhooks call the services of the apps that own them."""
