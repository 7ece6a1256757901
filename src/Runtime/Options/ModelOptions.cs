using System.ComponentModel.DataAnnotations;
using Ember.Models.Catalog;
using Microsoft.Extensions.Options;

namespace Ember.Runtime.Options;

/// <summary>How one catalog model is served: <c>Ember:Models:{model id}</c> in <c>runtime.json</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>Default <see cref="SequenceCap"/>.</summary>
    public const int DefaultSequenceCap = 8;

    /// <summary>Default <see cref="PrefillChunkTokens"/>.</summary>
    public const int DefaultPrefillChunkTokens = 64;

    /// <summary>Default <see cref="StepTokens"/>: 0, which stands for <see cref="SequenceCap"/> + <see cref="PrefillChunkTokens"/>.</summary>
    public const int DefaultStepTokens = 0;

    /// <summary>Default <see cref="QueueBound"/>.</summary>
    public const int DefaultQueueBound = 256;

    /// <summary>Longest <see cref="RequestTimeout"/>: 24 days (a timer's limit is about 49).</summary>
    public static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromDays(24);

    /// <summary>Default <see cref="RequestTimeout"/>: five minutes.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The ORT GenAI model folder (holding <c>genai_config.json</c>); relative to the config file's folder.</summary>
    [Required]
    public string Folder { get; set; } = string.Empty;

    /// <summary>The weight format in <see cref="Folder"/>; must be one the catalog lists for the model.</summary>
    public ModelVariant Variant { get; set; } = ModelVariant.Int8;

    /// <summary>
    /// The KV cache's element type. <see cref="KvCacheType.Model"/> (the default): the graph's own, whatever it is (a
    /// builder export that carries an int8 cache is run with it). <see cref="KvCacheType.Int8"/>: an int8 cache, a
    /// quarter of float32's bytes a token and half of float16's, so the same <c>Ember:KvCacheBudgetBytes</c> holds four or
    /// two times the slots; <see cref="Generate"/> writes the model with one, and a graph whose cache is not int8 is
    /// refused at start. See docs/kv-cache.md for its effect on the output.
    /// </summary>
    public KvCacheType KvCacheType { get; set; } = KvCacheType.Model;

    /// <summary>
    /// A shape preset (<c>tiny</c>, <c>small</c>, <c>tinyllama-1.1b</c>, <c>llama-2-7b</c>, <c>mistral-7b</c>): when
    /// <see cref="Folder"/> is missing, or holds a model an older Ember or other arguments wrote, write Ember's own
    /// random-weight model of that shape there (<c>tiny</c> and <c>small</c>: every variant, as the folder and its
    /// siblings <c>fp32</c>, <c>fp16</c>, <c>int8</c>, <c>int4</c>; the real shapes: <see cref="Variant"/> only).
    /// Absent: the folder must exist.
    /// </summary>
    public string? Generate { get; set; }

    /// <summary>
    /// With <see cref="Generate"/>: a folder holding the <c>tokenizer.json</c> and <c>tokenizer_config.json</c> the
    /// generated model is built around (such as the real Llama 2 tokenizer that <c>scripts/real-tokenizers/fetch.sh</c>
    /// brings), relative to the config file; the model's vocabulary is that tokenizer's. Absent: Ember's own 1,024-word vocabulary.
    /// </summary>
    public string? Tokenizer { get; set; }

    /// <summary>The execution provider of every replica.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>How sequences are batched: <see cref="SchedulerKind.Continuous"/> (the default, every provider) or <see cref="SchedulerKind.Waves"/>.</summary>
    public SchedulerKind Scheduler { get; set; } = SchedulerKind.Continuous;

    /// <summary>
    /// Continuous scheduler, separate steps (<see cref="MixedSteps"/> off, or a model whose graph cannot mix): most
    /// prompt tokens prefilled between two decode steps, one prefill call per prompt chunk (one call holds at most
    /// 1024). Smaller keeps the inter-token latency of running sequences low while a long prompt joins; larger gets
    /// first tokens sooner. With mixed steps it sets the default of <see cref="StepTokens"/>.
    /// </summary>
    [Range(1, 65_536)]
    public int PrefillChunkTokens { get; set; } = DefaultPrefillChunkTokens;

    /// <summary>
    /// Continuous scheduler, mixed steps: the token budget of one step (vLLM's <c>max_num_batched_tokens</c>). Every
    /// decoding sequence takes one token of it first; prompt chunks take the rest, oldest admission first. At least
    /// <see cref="SequenceCap"/>, so that a prompt always gets a token while every other slot decodes. 0 (the
    /// default): <see cref="SequenceCap"/> + <see cref="PrefillChunkTokens"/>, so a prompt gets at least
    /// <see cref="PrefillChunkTokens"/> + 1 tokens a step, as many as separate steps prefill or more.
    /// </summary>
    [Range(0, 65_536)]
    public int StepTokens { get; set; } = DefaultStepTokens;

    /// <summary>
    /// Continuous scheduler: run decode tokens and prompt chunks together in one ONNX Runtime call per step, where the
    /// model's graph can (<c>GroupQueryAttention</c> with <c>query_seqlens</c>); the start-up log says which path each
    /// replica takes. Off: prompt chunks in calls of their own, then a decode step (<see cref="PrefillChunkTokens"/>),
    /// the path of a graph that cannot mix; kept for comparison (<c>--set MixedSteps=false</c> in the benchmark).
    /// </summary>
    public bool MixedSteps { get; set; } = true;

    /// <summary>
    /// Continuous scheduler with <see cref="PrefixCaching"/>: which free slot's kept history a request that does not
    /// reuse it in place overwrites, and whether it is moved to keep steps narrow (see <see cref="SlotRetention"/>).
    /// </summary>
    public SlotRetention Retention { get; set; } = SlotRetention.Move;

    /// <summary>The most tokens <see cref="SpeculativeTokens"/> takes.</summary>
    public const int MaxSpeculativeTokens = 16;

    /// <summary>
    /// Continuous scheduler, mixed steps: n-gram speculation. A greedy sequence whose last tokens occur earlier in its
    /// prompt or output drafts up to this many tokens that followed them, verified in the step's one <c>Run</c> beside
    /// the other rows; the drafts kept are exactly the tokens it would have picked one step at a time. Drafts take only
    /// the step budget prompts leave. 0 (the default): off. At most <see cref="MaxSpeculativeTokens"/>. Needs a graph
    /// with <c>logit_counts</c> (Ember's own models) on the CPU.
    /// </summary>
    [Range(0, MaxSpeculativeTokens)]
    public int SpeculativeTokens { get; set; }

    /// <summary>
    /// Continuous scheduler serving LoRA adapters: <see cref="LoraBatching.PerRow"/> (the default) runs rows of any
    /// adapters in one step; <see cref="LoraBatching.Groups"/> runs one adapter's rows a step, the groups taking turns,
    /// as one adapter set per ONNX Runtime <c>Run</c> would, kept to compare the two (see docs/lora.md).
    /// </summary>
    public LoraBatching LoraBatching { get; set; } = LoraBatching.PerRow;

    /// <summary>The step token budget in force: <see cref="StepTokens"/>, or its default when 0.</summary>
    public int EffectiveStepTokens => StepTokens == 0 ? SequenceCap + PrefillChunkTokens : StepTokens;

    /// <summary>The GPU's device id (CUDA, DirectML).</summary>
    [Range(0, 64)]
    public int DeviceId { get; set; }

    /// <summary>Copies of the model loaded; each request goes to the least-loaded one.</summary>
    [Range(1, 64)]
    public int Replicas { get; set; } = 1;

    /// <summary>The sequence cap: most sequences one replica decodes at once.</summary>
    [Range(1, 1024)]
    public int SequenceCap { get; set; } = DefaultSequenceCap;

    /// <summary>Most requests waiting per replica; one more is refused as busy.</summary>
    [Range(1, 100_000)]
    public int QueueBound { get; set; } = DefaultQueueBound;

    /// <summary>Longest a request may take from queueing to its last token.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// Threads ONNX Runtime uses inside one replica. 0: on the CPU provider, the cores this process may use shared evenly
    /// by every CPU replica (at least one each); on a GPU provider, ONNX Runtime's default. The start-up log says what was chosen.
    /// </summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Continuous scheduler: let ONNX Runtime's worker threads spin between the operators of one decode step instead of
    /// sleeping; they stop spinning when the step ends, so they never starve the scheduler and HTTP threads between
    /// steps. On by default: on the 2-core machine Ember is measured on it gave the engine 13–66% more tokens per second
    /// at 1–64 streams. (Spinning that went on between steps, ONNX Runtime's own default, cost HTTP about 30% there.)
    /// </summary>
    public bool IntraOpSpinning { get; set; } = true;

    /// <summary>
    /// Continuous scheduler: keep a finished sequence's cache entries in its slot, so that a prompt starting with the
    /// same tokens (a conversation's next turn, a repeated system prompt) takes that slot and prefills only the rest.
    /// On by default; it costs no memory beyond the slots the cache has anyway.
    /// </summary>
    public bool PrefixCaching { get; set; } = true;

    /// <summary>Overrides of the catalog's limits.</summary>
    public LimitOverrides Limits { get; set; } = new();

    /// <summary>The LoRA adapters served with the model (continuous scheduler, a graph that takes them).</summary>
    [ValidateObjectMembers]
    public LoraOptions Lora { get; set; } = new();
}
