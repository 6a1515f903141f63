// Panel entry point — replaced by the panel issue.
document.body.dataset.lens = 'ready';
