using Ember.Host.Json;
using Ember.Host.Routing;
using Ember.Host.Wire;
using Ember.Runtime.Pool;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Endpoints;

/// <summary>The probes: <c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (the models are loaded). Neither needs a token.</summary>
public static class OpsEndpoints
{
    /// <summary>Maps the probes.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(ApiRoutes.Health, () => Results.Text("ok"));
        endpoints.MapGet(ApiRoutes.Ready, ([FromServices] IModelReadiness readiness) => readiness.IsReady
            ? Results.Json(new HealthStatus("ready"), HostJson.Context.HealthStatus)
            : Results.Json(new HealthStatus("loading"), HostJson.Context.HealthStatus, statusCode: StatusCodes.Status503ServiceUnavailable));
    }
}
