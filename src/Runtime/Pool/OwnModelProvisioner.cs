using Ember.Models.Writing;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Options;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Pool;

/// <summary>Writes Ember's own model for a configured model whose <see cref="ModelOptions.Generate"/> is set and whose folder is missing.</summary>
internal static class OwnModelProvisioner
{
    /// <summary>Writes every variant of the preset next to the configured folder, unless the folder exists.</summary>
    public static async Task EnsureAsync(ModelOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.Generate is not { } preset || File.Exists(Path.Combine(options.Folder, "genai_config.json")))
        {
            return;
        }

        var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(options.Folder))!;
        Log.WritingOwnModel(logger, preset, root);
        await LlamaModelWriter.WriteAllAsync(root, LlamaShape.FromPreset(preset), new LlamaWriterOptions(), cancellationToken).ConfigureAwait(false);
    }
}
