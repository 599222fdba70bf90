// Not run by the benchmark; present so the image is an application, not a bare tree.
require('express')().get('/', (_req, res) => res.send('ok')).listen(8080);
