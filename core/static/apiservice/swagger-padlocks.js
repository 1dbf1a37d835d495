// Swagger UI draws an operation's padlock closed when its security is already met, and the
// anonymous alternative `{}` of an optional credential always is: `GET /version` looked
// locked while `GET /keys` looked open. With this plugin `{}` does not count, so an
// operation that takes an optional credential shows an open padlock until you authorize,
// as every other does; operations with `security: []` show none.
(function () {
  "use strict";
  const withoutAnonymous = (security) => {
    if (!security || typeof security.filter !== "function") return security;
    const credentials = security.filter((requirement) => requirement.size > 0);
    return credentials.size > 0 ? credentials : security;
  };
  const padlocks = () => ({
    statePlugins: {
      auth: {
        wrapSelectors: {
          isAuthorized: (original) => (state, security) => original(state, withoutAnonymous(security)),
        },
      },
    },
  });
  const bundle = window.SwaggerUIBundle;
  window.SwaggerUIBundle = Object.assign(
    (config) => bundle({ ...config, plugins: [...(config.plugins || []), padlocks] }),
    bundle,
  );
})();
