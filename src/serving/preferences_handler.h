// GET and PUT /v1/users/{id}/preferences: a listener's recommendation preferences
// (preferences/preferences.h) as {"explicit": bool}. GET answers the defaults for a listener who never
// set any. PUT applies the fields of its JSON body over the stored ones, stores them durably and
// answers the result; an unknown field or a wrong type is a 400 naming the field, a malformed id a 400,
// a store failure a 503. Thread-safety: Get() and Put() are safe concurrently (the store is).
#pragma once

#include "preferences/preference_store.h"
#include "serving/http_message.h"
#include "serving/router.h"
#include "serving/server_host.h"

namespace segue::serving {

class PreferencesHandler : public ServerComponent {
 public:
  explicit PreferencesHandler(preferences::PreferenceStore* store) : store_(store) {}

  // GET and PUT /v1/users/{id}/preferences, from start-up (they touch no session).
  void Register(ServerHost& host) override;

  void Get(HttpRequest request, PathParams params, ResponseCallback done) const;
  void Put(HttpRequest request, PathParams params, ResponseCallback done) const;

 private:
  preferences::PreferenceStore* store_;
};

}  // namespace segue::serving
