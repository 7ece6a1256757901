using Ember.Models.Writing;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Options;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Pool;

/// <summary>Writes Ember's own model for a configured model whose <see cref="ModelOptions.Generate"/> is set and whose folder is missing.</summary>
internal static class OwnModelProvisioner
{
    /// <summary>
    /// Writes every variant of the preset next to the configured folder when the folder is missing, or holds a
    /// model an older Ember (or other arguments) wrote. A folder with a model but no Ember stamp is never touched.
    /// </summary>
    public static async Task EnsureAsync(ModelOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.Generate is not { } preset)
        {
            return;
        }

        var shape = LlamaShape.FromPreset(preset);
        var writerOptions = new LlamaWriterOptions();
        var stampFile = Path.Combine(options.Folder, LlamaModelWriter.StampFileName);
        var hasModel = File.Exists(Path.Combine(options.Folder, LlamaModelWriter.ConfigFileName));
        if (hasModel && (!File.Exists(stampFile)
            || await File.ReadAllTextAsync(stampFile, cancellationToken).ConfigureAwait(false) == LlamaModelWriter.Stamp(shape, options.Variant, writerOptions)))
        {
            return;
        }

        var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(options.Folder))!;
        Log.WritingOwnModel(logger, preset, root);
        await LlamaModelWriter.WriteAllAsync(root, shape, writerOptions, cancellationToken).ConfigureAwait(false);
    }
}
