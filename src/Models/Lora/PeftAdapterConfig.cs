using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ember.Models.Lora;

/// <summary>The fields of PEFT's <c>adapter_config.json</c> that Ember reads (and writes for its own random adapters).</summary>
public sealed record PeftAdapterConfig
{
    /// <summary>The file name PEFT gives it.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>PEFT's method: only <c>LORA</c> is taken.</summary>
    public string PeftType { get; init; } = "LORA";

    /// <summary>The task PEFT trained for.</summary>
    public string TaskType { get; init; } = "CAUSAL_LM";

    /// <summary>The rank <c>r</c>.</summary>
    public int R { get; init; }

    /// <summary>The scale's numerator: B·A is scaled by <c>lora_alpha / r</c> (or <c>/ √r</c> with <see cref="UseRslora"/>).</summary>
    public double LoraAlpha { get; init; }

    /// <summary>The modules the adapter targets, by PEFT's name.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = [];

    /// <summary>The model it was trained on, as PEFT records it (informational).</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>Whether the scale is <c>lora_alpha / √r</c>.</summary>
    public bool UseRslora { get; init; }

    /// <summary>Whether it is a DoRA adapter (refused: its magnitude vectors need a norm per step).</summary>
    public bool UseDora { get; init; }

    /// <summary>The scale B·A is multiplied by.</summary>
    [JsonIgnore]
    public double Scale => UseRslora ? LoraAlpha / Math.Sqrt(R) : LoraAlpha / R;

    /// <summary>Reads <paramref name="json"/>, the contents of a file called <paramref name="name"/> in messages.</summary>
    /// <exception cref="LoraAdapterException">It is not JSON, not a LoRA config, or lacks <c>r</c>, <c>lora_alpha</c> or <c>target_modules</c>.</exception>
    public static PeftAdapterConfig Parse(string json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LoraAdapterException($"{name} is not a JSON object.");
            }

            var peftType = root.TryGetProperty("peft_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "LORA";
            if (peftType != "LORA")
            {
                throw new LoraAdapterException($"{name}: peft_type is {peftType}; only LORA adapters are taken.");
            }

            if (!root.TryGetProperty("r", out var r) || !r.TryGetInt32(out var rank) || rank < 1)
            {
                throw new LoraAdapterException($"{name}: r (the rank) is missing or not a positive integer.");
            }

            if (!root.TryGetProperty("lora_alpha", out var alphaElement) || !alphaElement.TryGetDouble(out var alpha))
            {
                throw new LoraAdapterException($"{name}: lora_alpha is missing or not a number.");
            }

            if (!root.TryGetProperty("target_modules", out var targets) || targets.ValueKind != JsonValueKind.Array)
            {
                throw new LoraAdapterException($"{name}: target_modules is missing or not a list of module names.");
            }

            return new PeftAdapterConfig
            {
                PeftType = peftType,
                R = rank,
                LoraAlpha = alpha,
                TargetModules = [.. targets.EnumerateArray().Select(t => t.GetString() ?? string.Empty)],
                BaseModelNameOrPath = root.TryGetProperty("base_model_name_or_path", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null,
                UseRslora = root.TryGetProperty("use_rslora", out var rs) && rs.ValueKind == JsonValueKind.True,
                UseDora = root.TryGetProperty("use_dora", out var dora) && dora.ValueKind == JsonValueKind.True,
            };
        }
        catch (JsonException e)
        {
            throw new LoraAdapterException($"{name} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>This configuration as PEFT writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, LoraJsonContext.Default.PeftAdapterConfig);
}
