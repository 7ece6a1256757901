using Ember.Host;

return await EmberHost.RunAsync(args).ConfigureAwait(false);
