using Ember.Host.Errors;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Errors;

public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData(AiErrorKind.BadInput, 400, 5006, "detail")]
    [InlineData(AiErrorKind.ModelNotFound, 400, 5007, "detail")]
    [InlineData(AiErrorKind.ModelNotInstalled, 400, 5007, "detail")]
    [InlineData(AiErrorKind.LimitExceeded, 400, 5006, "detail")]
    [InlineData(AiErrorKind.Busy, 429, 3040, "Capacity temporarily exceeded, please try again.")]
    [InlineData(AiErrorKind.Timeout, 408, 3007, "Request timeout")]
    [InlineData(AiErrorKind.Cancelled, 408, 3008, "Request was aborted")]
    [InlineData(AiErrorKind.RuntimeFailure, 500, 3043, "Internal server error")]
    public void FromRuntime_EveryKind_HasStatusAndCode(AiErrorKind kind, int status, int code, string message)
    {
        ApiError error = ErrorMapping.FromRuntime(new AiTextGenerationException(kind, "detail"));

        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void FromRuntime_EveryKind_IsMapped()
    {
        foreach (AiErrorKind kind in Enum.GetValues<AiErrorKind>())
        {
            ApiError error = ErrorMapping.FromRuntime(new AiTextGenerationException(kind, "x"));
            Assert.InRange(error.Status, 400, 599);
        }
    }

    [Fact]
    public void HostErrors_HaveTableCodes()
    {
        Assert.Equal((400, 5006, "max_tokens: must be an integer"), Tuple(ErrorMapping.InvalidInput("max_tokens", "must be an integer")));
        Assert.Equal((400, 5007, "No such model x or task"), Tuple(ErrorMapping.NoSuchModel("x")));
        Assert.Equal((400, 3003, "Request is missing headers or body: body"), Tuple(ErrorMapping.MissingBody()));
        Assert.Equal((413, 3006, "Request is too large: the body may be at most 10 bytes"), Tuple(ErrorMapping.TooLarge(10)));
        Assert.Equal((404, 7003, "No route for that URI"), Tuple(ErrorMapping.NoRoute()));
        Assert.Equal((405, 7001, "Method not allowed"), Tuple(ErrorMapping.MethodNotAllowed()));
        Assert.Equal((401, 10000, "Authentication error"), Tuple(ErrorMapping.Unauthorized()));
        Assert.Equal((500, 3043, "Internal server error"), Tuple(ErrorMapping.Internal()));
        Assert.Equal((507, 3040, ErrorMapping.BatchStoreFullMessage), Tuple(ErrorMapping.BatchStoreFull()));
        Assert.Contains("Batch store is full", ErrorMapping.BatchStoreFullMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(405, "invalid_request_error")]
    [InlineData(408, "timeout_error")]
    [InlineData(413, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "server_error")]
    [InlineData(507, "server_error")]
    public void OpenAiType_Status_Mapped(int status, string type)
    {
        Assert.Equal(type, ErrorMapping.OpenAiType(status));
    }

    private static (int, int, string) Tuple(ApiError error) => (error.Status, error.Code, error.Message);
}
