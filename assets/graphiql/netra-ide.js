// netra's IDE: GraphiQL (embedded, pinned) with the bearer token chosen
// BEFORE the first introspection, so the docs show the caller's role schema.
// The token comes from the bar, from sessionStorage (this tab only), or from
// the URL fragment `#token=…` (never sent to the server; removed from the
// address bar at once). `#run` executes the editor's query once the schema
// has loaded (for links and the CI check). No inline script: a strict
// Content-Security-Policy (script-src 'self') holds.
(function () {
  'use strict';
  var KEY = 'netra-token';
  var form = document.getElementById('netra-token');
  var input = document.getElementById('netra-token-input');
  var status = document.getElementById('netra-status');
  var container = document.getElementById('graphiql');
  var params = new URLSearchParams(window.location.hash.slice(1));
  var run = params.has('run');
  var root = null;

  if (params.has('token')) {
    sessionStorage.setItem(KEY, params.get('token'));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  function mount(token) {
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    var base = GraphiQL.createFetcher({ url: '/graphql', headers: headers });
    // Marks the page once the schema arrived, and as whom it was asked.
    var fetcher = function (params, opts) {
      var result = base(params, opts);
      if (params && params.operationName === 'IntrospectionQuery' && result && result.then) {
        result.then(function () {
          document.documentElement.setAttribute('data-netra-introspected', token ? 'with-token' : 'anonymous');
          if (run) {
            run = false;
            setTimeout(clickRun, 200);
          }
        });
      }
      return result;
    };
    status.textContent = token ? 'Using the token: the docs show your agency\u2019s schema.' : 'Anonymous: public data only.';
    if (!root) {
      container.textContent = '';
      root = ReactDOM.createRoot(container);
    }
    root.render(React.createElement(GraphiQL, {
      key: token || 'anonymous',
      fetcher: fetcher,
      shouldPersistHeaders: false,
      defaultQuery: '{\n  me { agency { code kind } permissions }\n  cases(first: 2) { totalCount edges { node { number state region { name } } } }\n}\n'
    }));
  }

  function clickRun() {
    var button = document.querySelector('.graphiql-execute-button');
    if (button) {
      button.click();
    } else {
      setTimeout(clickRun, 200);
    }
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var token = input.value.trim().replace(/^Bearer\s+/i, '');
    sessionStorage.setItem(KEY, token);
    input.value = '';
    mount(token);
  });
  document.getElementById('netra-anonymous').addEventListener('click', function () {
    sessionStorage.setItem(KEY, '');
    mount('');
  });

  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    mount(saved);
  }
})();
