import { mount } from 'svelte';
import App from './ui/App.svelte';

// Mounted in a task of its own: evaluating the modules and building the page are then two
// shorter tasks instead of one long one (the page's longest during load).
setTimeout(() => mount(App, { target: document.getElementById('app')! }), 0);
