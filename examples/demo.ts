// Placeholder until the embedded API server lands (issue 2); replaced by the real demo.
console.log("operatorkit demo: the embedded API server is not built yet");
