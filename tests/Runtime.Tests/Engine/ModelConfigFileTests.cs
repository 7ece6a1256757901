using System.Text.Json;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Engine;

/// <summary>A model folder's <c>genai_config.json</c>, read from a temporary folder: the context length, or a runtime failure naming the file.</summary>
public sealed class ModelConfigFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ember-config-").FullName;

    private string ConfigPath => Path.Combine(_folder, "genai_config.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static AiTextGenerationException Fails<TInner>(string folder)
        where TInner : Exception
    {
        var error = Assert.Throws<AiTextGenerationException>(() => ModelConfigFile.Read(folder));

        Assert.Equal(AiErrorKind.RuntimeFailure, error.Kind);
        var inner = Assert.IsAssignableFrom<TInner>(error.InnerException);
        Assert.Equal($"The model's configuration {Path.Combine(folder, "genai_config.json")} could not be read: {inner.Message}", error.Message);
        return error;
    }

    [Fact]
    public void Read_ValidFile_ReadsTheContextLengthAndKeepsTheModelSection()
    {
        File.WriteAllText(ConfigPath, """{"model":{"type":"llama","context_length":2048,"decoder":{"num_hidden_layers":2}},"search":{"max_length":2048}}""");

        var config = ModelConfigFile.Read(_folder);

        Assert.Equal(2048, config.ContextLength);
        Assert.Equal(_folder, config.Folder);
        Assert.Equal("llama", config.Model.GetProperty("type").GetString());
        Assert.Equal(2, config.Model.GetProperty("decoder").GetProperty("num_hidden_layers").GetInt32());
        Assert.False(config.Model.TryGetProperty("search", out _));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("4096", 4096)]
    [InlineData("2147483647", int.MaxValue)]
    public void Read_ContextLength_IsTheIntegerGiven(string value, int expected)
    {
        File.WriteAllText(ConfigPath, $$$"""{"model":{"context_length":{{{value}}}}}""");

        Assert.Equal(expected, ModelConfigFile.Read(_folder).ContextLength);
    }

    [Fact]
    public void Read_ModelSection_OutlivesTheParsedDocument()
    {
        File.WriteAllText(ConfigPath, """{"model":{"context_length":64,"eos_token_id":[2,3]}}""");

        JsonElement model = ModelConfigFile.Read(_folder).Model;
        File.Delete(ConfigPath);

        Assert.Equal("""{"context_length":64,"eos_token_id":[2,3]}""", model.GetRawText());
    }

    [Fact]
    public void Read_MissingFile_IsARuntimeFailureNamingTheFile()
    {
        Fails<FileNotFoundException>(_folder);
    }

    [Fact]
    public void Read_MissingFolder_IsARuntimeFailureNamingTheFile()
    {
        Fails<DirectoryNotFoundException>(Path.Combine(_folder, "absent"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"model\":{\"context_length\":2048}")]
    [InlineData("{\"model\":{\"context_length\":2048}} trailing")]
    public void Read_NotJson_IsARuntimeFailureNamingTheFile(string text)
    {
        File.WriteAllText(ConfigPath, text);

        Fails<JsonException>(_folder);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"Model":{"context_length":2048}}""")]
    [InlineData("""{"model":{}}""")]
    [InlineData("""{"model":{"search":{"context_length":2048}}}""")]
    public void Read_NoContextLength_IsARuntimeFailureNamingTheFile(string text)
    {
        File.WriteAllText(ConfigPath, text);

        Fails<KeyNotFoundException>(_folder);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"model":5}""")]
    [InlineData("""{"model":{"context_length":"2048"}}""")]
    [InlineData("""{"model":{"context_length":null}}""")]
    public void Read_WrongJsonKind_IsARuntimeFailureNamingTheFile(string text)
    {
        File.WriteAllText(ConfigPath, text);

        Fails<InvalidOperationException>(_folder);
    }

    [Theory]
    [InlineData("2048.5")]
    [InlineData("2048.0")]
    [InlineData("2147483648")]
    [InlineData("1e400")]
    public void Read_ContextLengthNotAnInt32_IsARuntimeFailureNamingTheFile(string value)
    {
        File.WriteAllText(ConfigPath, $$$"""{"model":{"context_length":{{{value}}}}}""");

        Fails<FormatException>(_folder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Read_ContextLengthNotPositive_IsARuntimeFailureNamingTheFile(int value)
    {
        File.WriteAllText(ConfigPath, $$$"""{"model":{"context_length":{{{value}}}}}""");

        var error = Assert.Throws<AiTextGenerationException>(() => ModelConfigFile.Read(_folder));

        Assert.Equal(AiErrorKind.RuntimeFailure, error.Kind);
        Assert.Equal($"The model's configuration {ConfigPath} could not be read: model.context_length must be positive but is {value}.", error.Message);
    }
}
