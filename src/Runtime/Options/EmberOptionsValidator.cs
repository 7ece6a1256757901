using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Writing;
using Microsoft.Extensions.Options;

namespace Ember.Runtime.Options;

/// <summary>
/// Validates <see cref="EmberOptions"/> at startup and reports every failure at once, each naming its key
/// (<c>Ember:Models:{id}:{field}</c>): unknown model ids, variants the catalog does not list, missing
/// folders, providers this build cannot run, out-of-range numbers and inconsistent limits.
/// </summary>
public sealed class EmberOptionsValidator : IValidateOptions<EmberOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, EmberOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Models.Count == 0)
        {
            failures.Add($"{EmberOptions.SectionName}:Models: no model is configured; add at least one, e.g. \"{ModelCatalog.TinyLlamaId}\".");
        }

        var annotations = new EmberOptionsAnnotationsValidator().Validate(EmberOptions.SectionName, options);
        if (annotations.Failed)
        {
            failures.AddRange(annotations.Failures.Select(failure => $"{EmberOptions.SectionName}:{failure}"));
        }

        foreach (var (id, model) in options.Models)
        {
            ValidateModel($"{EmberOptions.SectionName}:Models:{id}", id, model, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateModel(string key, string id, ModelOptions model, List<string> failures)
    {
        var annotations = new ModelOptionsAnnotationsValidator().Validate(key, model);
        if (annotations.Failed)
        {
            failures.AddRange(annotations.Failures.Select(failure => $"{key}:{failure}"));
        }

        if (!ModelCatalog.TryGet(id, out var entry))
        {
            failures.Add($"{key}: '{id}' is not a catalog model id; known ids: {string.Join(", ", ModelCatalog.All.Select(e => e.Id))}.");
            return;
        }

        if (!entry.Supports(model.Variant))
        {
            failures.Add($"{key}:Variant: '{model.Variant}' is not a variant of {id}; it has {string.Join(", ", entry.Variants)}.");
        }

        if (!BuildFlavor.Supports(model.Provider))
        {
            failures.Add($"{key}:Provider: '{model.Provider}' needs another build; this is the {BuildFlavor.Name} build (build with -p:OrtGenAIFlavor=Cuda or DirectML).");
        }

        if (model.Scheduler == SchedulerKind.Waves && BuildFlavor.Supports(model.Provider) && !BuildFlavor.WavesSupport(model.Provider))
        {
            failures.Add($"{key}:Scheduler: \"Waves\" runs on ORT GenAI, and this build's ORT GenAI package is the CPU one; use \"Continuous\" (the default) on {model.Provider}, or build with -p:OrtGenAICudaPackage=true where Microsoft.ML.OnnxRuntimeGenAI.Cuda restores.");
        }

        if (model.RequestTimeout <= TimeSpan.Zero || model.RequestTimeout > ModelOptions.MaxRequestTimeout)
        {
            failures.Add($"{key}:RequestTimeout: must be positive and at most {ModelOptions.MaxRequestTimeout} (got {model.RequestTimeout}).");
        }

        if (model.StepTokens != 0 && model.StepTokens < model.SequenceCap)
        {
            failures.Add($"{key}:StepTokens: must be at least SequenceCap ({model.SequenceCap}), so that a prompt still gets a token of a step in which every other sequence decodes (got {model.StepTokens}; 0 takes SequenceCap + PrefillChunkTokens).");
        }

        if (model.SpeculativeTokens > 0 && (model.Scheduler != SchedulerKind.Continuous || !model.MixedSteps || model.Provider != ExecutionProvider.Cpu))
        {
            failures.Add($"{key}:SpeculativeTokens: speculation verifies drafts inside mixed steps of the continuous scheduler on the CPU (Scheduler Continuous, MixedSteps true, Provider Cpu); got Scheduler {model.Scheduler}, MixedSteps {model.MixedSteps}, Provider {model.Provider}. Set it to 0.");
        }

        if (!Enum.IsDefined(model.LoraBatching))
        {
            failures.Add($"{key}:LoraBatching: must be {string.Join(" or ", Enum.GetNames<LoraBatching>())} (got {(int)model.LoraBatching}).");
        }

        ValidateFolder(key, model, failures);
        ValidateAdapters(key, model, failures);
        var limits = EffectiveLimits.Compute(entry.Limits, model.Limits);
        failures.AddRange(ModelLimits.Validate(limits.DefaultMaxTokens, limits.DefaultMaxTokensStream, limits.ContextTokensLimit, limits.SequenceTokensLimit)
            .Select(problem => $"{key}:Limits: {problem}"));
    }

    private static void ValidateAdapters(string key, ModelOptions model, List<string> failures)
    {
        if (model.Lora.Requested == true && model.Scheduler != SchedulerKind.Continuous)
        {
            failures.Add($"{key}:Lora:{(model.Lora.Adapters.Count > 0 ? "Adapters" : "Enabled")}: adapters are served by the continuous scheduler only (Scheduler is {model.Scheduler}).");
        }

        if (model.Lora.Enabled == false && model.Lora.Adapters.Count > 0)
        {
            failures.Add($"{key}:Lora:Adapters: {model.Lora.Adapters.Count} adapters are declared, but Lora:Enabled is false.");
        }

        if (model.Lora.Adapters.Count > model.Lora.MaxAdapters)
        {
            failures.Add($"{key}:Lora:Adapters: {model.Lora.Adapters.Count} adapters are declared, above Lora:MaxAdapters ({model.Lora.MaxAdapters}).");
        }

        foreach (var (name, path) in model.Lora.Adapters)
        {
            if (!LoraAdapter.IsValidName(name))
            {
                failures.Add($"{key}:Lora:Adapters:{name}: an adapter's name is 1 to 64 letters, digits, '-', '_' or '.'.");
            }
            else if (string.IsNullOrWhiteSpace(path) || !(Directory.Exists(path) || (File.Exists(path) && Path.GetExtension(path) == OnnxAdapterFile.Extension)))
            {
                failures.Add($"{key}:Lora:Adapters:{name}: '{path}' is neither a folder nor an {OnnxAdapterFile.Extension} file; an adapter is a folder holding adapter_config.json and adapter_model.safetensors or one {OnnxAdapterFile.Extension} file, or the path of that file.");
            }
        }
    }

    private static void ValidateFolder(string key, ModelOptions model, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(model.Folder))
        {
            return;
        }

        if (model.Tokenizer is not null && model.Generate is null)
        {
            failures.Add($"{key}:Tokenizer: only a generated model takes a tokenizer (set Generate); an exported model brings its own in its folder.");
        }

        if (model.Generate is { } preset)
        {
            try
            {
                LlamaShape.FromPreset(preset);
            }
            catch (ArgumentException e)
            {
                failures.Add($"{key}:Generate: {e.Message}");
            }

            if (model.Tokenizer is { } folder)
            {
                try
                {
                    ModelTokenizer.FromFolder(folder);
                }
                catch (InvalidDataException e)
                {
                    failures.Add($"{key}:Tokenizer: {e.Message}");
                }
            }

            var leaf = Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Folder));
            if (leaf != LlamaModelWriter.FolderName(model.Variant))
            {
                failures.Add($"{key}:Folder: a generated model's folder must end in its variant's name '{LlamaModelWriter.FolderName(model.Variant)}' (got '{leaf}').");
            }
        }
        else if (!File.Exists(Path.Combine(model.Folder, LlamaModelWriter.ConfigFileName)))
        {
            failures.Add($"{key}:Folder: '{model.Folder}' holds no genai_config.json; export the model there (scripts/export-onnx) or set Generate.");
        }
    }
}
