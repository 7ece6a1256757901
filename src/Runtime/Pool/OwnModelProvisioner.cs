using System.Diagnostics;
using Ember.Models.Writing;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Options;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Pool;

/// <summary>Writes Ember's own model for a configured model whose <see cref="ModelOptions.Generate"/> is set and whose folder is missing.</summary>
internal static class OwnModelProvisioner
{
    /// <summary>
    /// Writes the preset around the configured tokenizer when the folder is missing, or holds a model an older Ember
    /// (or other arguments) wrote: every variant next to the configured folder for the small presets, the configured
    /// variant alone for the real shapes. A folder with a model but no Ember stamp is never touched.
    /// </summary>
    /// <returns>The tokenizer <see cref="ModelOptions.Tokenizer"/> names, read once for the start; <see langword="null"/> when it names none.</returns>
    /// <exception cref="InvalidDataException">The tokenizer folder cannot be read.</exception>
    public static async Task<ModelTokenizer?> EnsureAsync(ModelOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var named = options.Tokenizer is { } folder ? ModelTokenizer.FromFolder(folder) : null;
        if (options.Generate is not { } preset)
        {
            return named;
        }

        var tokenizer = named ?? ModelTokenizer.Own;
        var shape = LlamaShape.FromPreset(preset, tokenizer);
        var writerOptions = new LlamaWriterOptions { Tokenizer = tokenizer, KvCache = options.KvCacheType, Lora = options.Lora.Requested };
        var stampFile = Path.Combine(options.Folder, LlamaModelWriter.StampFileName);
        var hasModel = File.Exists(Path.Combine(options.Folder, LlamaModelWriter.ConfigFileName));
        if (hasModel && (!File.Exists(stampFile)
            || await File.ReadAllTextAsync(stampFile, cancellationToken).ConfigureAwait(false) == LlamaModelWriter.Stamp(shape, options.Variant, writerOptions)))
        {
            return named;
        }

        var started = Stopwatch.StartNew();
        if (shape.WritesAllVariants)
        {
            var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(options.Folder))!;
            Log.WritingOwnModel(logger, preset, tokenizer.ToString(), root);
            await LlamaModelWriter.WriteAllAsync(root, shape, writerOptions, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Log.WritingOwnModel(logger, preset, tokenizer.ToString(), options.Folder);
            await LlamaModelWriter.WriteAsync(options.Folder, shape, options.Variant, writerOptions, cancellationToken).ConfigureAwait(false);
        }

        Log.WroteOwnModel(logger, options.Folder, started.Elapsed.TotalSeconds);
        return named;
    }
}
