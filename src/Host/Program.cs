return await Ember.Host.EmberHost.RunAsync(args).ConfigureAwait(false);
