import { createRouter, createWebHistory } from 'vue-router';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', component: () => import('./views/HomeRedirect.vue') },
    { path: '/alerts', component: () => import('./views/AlertsView.vue') },
    { path: '/wall', component: () => import('./views/WallView.vue') },
    { path: '/reports', component: () => import('./views/ReportsView.vue') },
    { path: '/events', component: () => import('./views/EventsView.vue') },
    { path: '/console', component: () => import('./views/ConsoleView.vue') },
    { path: '/admin/watchlist', component: () => import('./views/admin/WatchlistView.vue') },
    { path: '/admin/import', component: () => import('./views/admin/ImportView.vue') },
    { path: '/admin/photo-search', component: () => import('./views/admin/PhotoSearchView.vue') },
    { path: '/admin/users', component: () => import('./views/admin/UsersView.vue') },
    { path: '/admin/api-keys', component: () => import('./views/admin/ApiKeysView.vue') },
    { path: '/admin/gate-credentials', component: () => import('./views/admin/GateCredentialsView.vue') },
    { path: '/admin/audit', component: () => import('./views/admin/AuditView.vue') },
    { path: '/admin/dead-letters', component: () => import('./views/admin/DeadLettersView.vue') },
    { path: '/admin/sites', component: () => import('./views/admin/SitesView.vue') },
    { path: '/admin/privacy', component: () => import('./views/admin/PrivacyView.vue') },
    { path: '/admin/settings', component: () => import('./views/admin/SettingsView.vue') },
    { path: '/:rest(.*)*', component: () => import('./views/HomeRedirect.vue') },
  ],
});
